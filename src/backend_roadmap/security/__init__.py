"""Security: deliberately vulnerable apps that the security chapter attacks, then fixes."""
