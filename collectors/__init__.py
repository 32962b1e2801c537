"""Sources of data, one module each, all writing through warehouse."""
