# consul-template on the proxy host: watches the leader key and the health of service a4c through the
# host's local Consul agent, renders nginx's A4C site and reloads nginx. Started by
# deploy/systemd/consul-template.service. Paths match deploy/consul/client.hcl (TLS material) and
# deploy/nginx/nginx.conf (include of /etc/nginx/conf.d/a4c.conf).

consul {
  # the local agent (deploy/consul/client.hcl): HTTPS only, with a client certificate (verify_incoming)
  address = "127.0.0.1:8501"
  ssl {
    enabled = true
    verify  = true
    ca_cert = "/etc/consul.d/tls/consul-agent-ca.pem"
    cert    = "/etc/consul.d/tls/dc1-client-consul.pem"
    key     = "/etc/consul.d/tls/dc1-client-consul-key.pem"
  }
  # read-only token of deploy/consul/acl/consul-template.policy.hcl; given as CONSUL_HTTP_TOKEN by the
  # unit's EnvironmentFile so the secret stays out of this file
  retry {
    enabled = true
    # keep trying while the agent restarts: nginx keeps its last good config meanwhile
    attempts    = 0
    backoff     = "250ms"
    max_backoff = "10s"
  }
}

# No `wait` (quiescence) block on purpose: a new leader must reach nginx at once, and the leader key
# changes only on elections.

template {
  source      = "/etc/consul-template/a4c.conf.ctmpl"
  destination = "/etc/nginx/conf.d/a4c.conf"
  perms       = 0644
  # the previous render is kept as a4c.conf.bak for post-mortems
  backup = true
  # reload only a config nginx accepts; if the check fails nginx keeps serving the previous one
  exec {
    command = ["/bin/sh", "-c", "nginx -t -q && systemctl reload nginx"]
    timeout = "30s"
  }
}
