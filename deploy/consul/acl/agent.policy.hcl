# ACL policy for a client agent's own token (`consul acl set-agent-token agent <token>`): register its
# node and sync its services and checks (anti-entropy). One policy per node, named after it.
#   consul acl policy create -name agent-a4c-host-1 -rules @agent.policy.hcl

node "a4c-host-1" {
  policy = "write"
}

# anti-entropy reads the services it syncs
service_prefix "" {
  policy = "read"
}
