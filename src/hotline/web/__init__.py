"""Server-rendered pages, static ES modules and the zh-CN / en catalogs."""
