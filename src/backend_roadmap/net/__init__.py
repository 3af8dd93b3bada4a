"""Part I, internet: servers on loopback (TCP, UDP, HTTP apps), a local CA, a DNS zone."""
