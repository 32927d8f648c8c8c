"""The trash: deleted assets wait here (invisible elsewhere) until restored or purged."""
