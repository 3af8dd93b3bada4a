"""Part I, internet: servers on loopback (TCP, UDP, HTTP apps), a local CA, a DNS zone,
HTTP/2 and HTTP/3 servers."""
