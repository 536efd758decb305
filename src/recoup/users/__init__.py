"""Staff users, their roles (groups with permissions) and teams of officers."""
