# ACL policy for consul-template on the proxy host: read-only, the key and the service health it renders.
#   consul acl policy create -name a4c-proxy -rules @consul-template.policy.hcl

key_prefix "service/a4c/" {
  policy = "read"
}

service "a4c" {
  policy = "read"
}

# the health endpoint hides instances on nodes the token cannot read
node_prefix "" {
  policy = "read"
}
