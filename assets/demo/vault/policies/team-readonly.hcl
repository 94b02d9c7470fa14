# External Secrets Operator and the Argo CD Vault plugin: read every team's "shared" folder,
# nothing else. "+" matches exactly one path segment (the team name).

# "Belt and braces: deny everything else under secret/" (review of 2026-04). A deny only
# applies where it is the most specific match, so it does not touch the shared folders below.
path "secret/*" {
  capabilities = ["deny"]
}

path "secret/data/+/shared/*" {
  capabilities = ["read"]
}

path "secret/metadata/+/shared/*" {
  capabilities = ["read", "list"]
}

# but never the payments team's shared folder (PCI scope)
path "secret/data/payments/shared/*" {
  capabilities = []
}
