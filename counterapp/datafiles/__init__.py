"""Reading the bundled data files (calendar, catalogue) and turning them into domain values."""
