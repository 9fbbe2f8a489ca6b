# ACL policy for the A4C instances' token (ha.consulToken):
#   consul acl policy create -name a4c -rules @a4c.policy.hcl
#   consul acl token create -description "a4c" -policy-name a4c
# Exactly what the elector calls (docs/consul-behaviour.md §7.1); nothing else.

# register/deregister service a4c-<instanceId> and its HTTP check; list this agent's checks
service "a4c" {
  policy = "write"
}

# acquire/release and blocking reads of the lock key service/a4c/leader (ha.leaderKey)
key_prefix "service/a4c/" {
  policy = "write"
}

# create, renew, destroy and read the session on the instance's own node; A4C hosts' Consul node names
# start with "a4c-" (deploy/consul/client.hcl). Use one `session "<node>"` rule per host instead to
# confine each token to its node.
session_prefix "a4c-" {
  policy = "write"
}
