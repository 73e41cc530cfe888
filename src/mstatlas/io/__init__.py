"""Reading researchers' files: sniffing, one module per format, and the checks as named stages."""
