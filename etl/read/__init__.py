"""Reading: report files (txt, html, pdf, docx; any Chinese encoding) → normalized text, numerals."""
