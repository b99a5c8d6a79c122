"""Operations users run: build, add, correct, backup and restore, export, the distributed runner."""
