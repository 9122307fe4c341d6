"""Forward and reverse mode (built by the differentiation issues)."""
