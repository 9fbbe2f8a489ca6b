# ACL policy for the A4C instances' token (ha.consulToken; the a4c-ha CLI reads the same config file):
#   consul acl policy create -name a4c -rules @a4c.policy.hcl
#   consul acl token create -description "a4c" -policy-name a4c
# Exactly what the plugin and its CLI call (docs/consul-behaviour.md §13 A6-A7), nothing else; proven
# under default deny by test/e2e/shipped-acl-policies.e2e-spec.ts. A4C hosts' Consul node names start
# with "a4c-" (deploy/consul/client.hcl).

# PUT /v1/agent/service/register and /deregister/a4c-<instanceId> (service name ha.serviceName) with
# its HTTP check; GET /v1/agent/checks (the instance's own check) and GET /v1/health/service/a4c (the
# cluster view, a4c-ha list|leader|switchover|watch|history, step-down?candidate=) read it.
service "a4c" {
  policy = "write"
}

# GET /v1/health/service/a4c drops every instance whose node the token cannot read, with a 200 and
# an empty list: without this rule the cluster view, the a4c-ha commands and step-down?candidate= see
# no instance at all.
node_prefix "a4c-" {
  policy = "read"
}

# The lock key service/a4c/leader (ha.leaderKey): acquire/release with the value (members, released,
# candidate), the blocking and ?consistent reads that watch and prove it.
key_prefix "service/a4c/" {
  policy = "write"
}

# PUT /v1/session/create, /renew and /destroy and GET /v1/session/info of the instance's own session
# (session:write on its own node). It must cover the OTHER A4C hosts too: an instance that sees the
# leader's process gone destroys that crashed peer's session at once (crash detection by peers), and
# Consul checks session:write on the node of the session destroyed (docs/consul-behaviour.md §13 A6). Do not narrow it to one `session "<node>"`
# rule per host: crash detection by peers would then be refused with a 403.
session_prefix "a4c-" {
  policy = "write"
}
