"""Report metadata: jurisdiction (dated division table), dates and years, report type, sections."""
