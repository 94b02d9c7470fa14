# Read-only access to the shop's shared application config (KV v2 mounted at secret/).
# Used by catalog, search, checkout and the storefront.

path "secret/data/shop/*" {
  capabilities = ["read"]
}

path "secret/metadata/shop/*" {
  capabilities = ["read", "list"]
}

# Old KV v1 style path kept from the 2025 migration; it matches nothing on a KV v2 mount.
path "secret/shop/*" {
  capabilities = ["read"]
}
