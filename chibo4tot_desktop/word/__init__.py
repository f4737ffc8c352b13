"""Word (.docx) drafts of the documents the office writes around its lists."""
