# Consul SERVER agent: one of three (quorum 2 of 3 survives the loss of one server). Install as
# /etc/consul.d/consul.hcl on each server host; only node_name, bind_addr and the certificate differ.
# Started by deploy/systemd/consul.service (`consul agent -config-dir=/etc/consul.d`).

datacenter = "dc1"
node_name  = "consul-server-1"
data_dir   = "/opt/consul"
server     = true
# wait for all three before electing a Raft leader, so a fresh cluster never splits into two
bootstrap_expect = 3
retry_join       = ["10.0.0.21", "10.0.0.22", "10.0.0.23"]
bind_addr        = "10.0.0.21"
# the servers' HTTP API is for operators on the host; A4C talks to its local client agent only
client_addr = "127.0.0.1"

# Gossip encryption (`consul keygen`): the same key on every agent, servers and clients.
encrypt                 = "REPLACE-WITH-consul-keygen-OUTPUT=="
encrypt_verify_incoming = true
encrypt_verify_outgoing = true

# TLS for RPC and HTTPS with one cluster CA (`consul tls ca create`, `consul tls cert create -server`).
tls {
  defaults {
    ca_file   = "/etc/consul.d/tls/consul-agent-ca.pem"
    cert_file = "/etc/consul.d/tls/dc1-server-consul-0.pem"
    key_file  = "/etc/consul.d/tls/dc1-server-consul-0-key.pem"
    # every peer and every API client must present a certificate signed by the cluster CA
    verify_incoming = true
    verify_outgoing = true
  }
  internal_rpc {
    # a client certificate cannot pose as a server
    verify_server_hostname = true
  }
}

ports {
  # plain HTTP off: the API is served on HTTPS only (8501, the convention)
  http  = -1
  https = 8501
}

acl {
  enabled = true
  # nothing is allowed without a token; see deploy/consul/acl/*.policy.hcl
  default_policy = "deny"
  # tokens set with `consul acl set-agent-token` survive restarts
  enable_token_persistence = true
}

# Sessions may not ask for a TTL under 10 s (Consul's default minimum, kept explicit: A4C validates
# ha.consulSessionTTLInSecond against the same bound).
session_ttl_min = "10s"

# a server never leaves the Raft peer set just because it is restarted
leave_on_terminate = false
