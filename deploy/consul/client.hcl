# Consul CLIENT agent on every A4C host (and on the proxy host, for consul-template). Install as
# /etc/consul.d/consul.hcl. A4C talks only to this local agent (ha.consulAgentIp: localhost), which
# knows the servers and follows their failover; the agent also runs A4C's HTTP health check.

datacenter = "dc1"
# A4C hosts are named a4c-*: deploy/consul/acl/a4c.policy.hcl grants session:write and node:read on those
# nodes (its own session, a crashed peer's session, the health read of every instance)
node_name  = "a4c-host-1"
data_dir   = "/opt/consul"
server     = false
retry_join = ["10.0.0.21", "10.0.0.22", "10.0.0.23"]
bind_addr  = "10.0.0.11"
# the API listens on loopback only: A4C and consul-template run on this host
client_addr = "127.0.0.1"

encrypt                 = "REPLACE-WITH-consul-keygen-OUTPUT=="
encrypt_verify_incoming = true
encrypt_verify_outgoing = true

tls {
  defaults {
    ca_file   = "/etc/consul.d/tls/consul-agent-ca.pem"
    # `consul tls cert create -client`; consul-template uses these files as they are, A4C as one PEM
    # key store holding both (deploy/a4c/alien4cloud-config.yml) and the CA as its trust store
    cert_file = "/etc/consul.d/tls/dc1-client-consul.pem"
    key_file  = "/etc/consul.d/tls/dc1-client-consul-key.pem"
    # A4C must present its client certificate: ha.consul_tls_enabled with a key store
    verify_incoming = true
    verify_outgoing = true
  }
  internal_rpc {
    verify_server_hostname = true
  }
}

ports {
  http  = -1
  https = 8501
}

acl {
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
}

# HTTPS health checks (ha.serverProtocol: https) are verified with this agent's CA and certificate.
enable_agent_tls_for_checks = true

# A client agent leaves the cluster on SIGTERM by default, which deregisters the node and destroys
# A4C's session at once: a routine `systemctl restart consul` would fail the leader over. Not leaving
# keeps the node; a restart shorter than gossip failure detection (a few seconds) keeps the session.
leave_on_terminate = false
