"""File tools: tables, data formats, charts and ZIP archives, one module per tool."""
