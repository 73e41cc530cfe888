"""Pure analysis functions: filters, rankings, comparison."""
