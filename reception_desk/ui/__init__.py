"""The Qt application. Everything below this package (domain, db, services) stays Qt-free."""
