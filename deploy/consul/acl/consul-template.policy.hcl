# ACL policy for consul-template on the proxy host: read-only, the key and the service health that
# deploy/nginx/a4c.conf.ctmpl renders (docs/consul-behaviour.md §13 A6-A7); proven under default deny by
# test/e2e/shipped-acl-policies.e2e-spec.ts.
#   consul acl policy create -name a4c-proxy -rules @consul-template.policy.hcl

# {{ keyExists "service/a4c/leader" }} and {{ ls "service/a4c/" }}: GET /v1/kv/service/a4c/leader and
# GET /v1/kv/service/a4c/?recurse (a recursive read silently drops the keys it may not read).
key_prefix "service/a4c/" {
  policy = "read"
}

# {{ service "a4c" }}: GET /v1/health/service/a4c.
service "a4c" {
  policy = "read"
}

# The same health read drops every instance whose node the token cannot read (an empty list, 200): the
# A4C hosts are the a4c-* nodes (deploy/consul/client.hcl).
node_prefix "a4c-" {
  policy = "read"
}
