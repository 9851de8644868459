"""User-written templates: sandboxed rendering with a budget, and the template store."""
