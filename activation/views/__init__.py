"""Pages of the activation app: staff and administrators' logins, a class's activation and its invite links."""
