# payments-api (prod-eu, prod-us): PSP credentials and card-token encryption.

path "secret/data/payments/*" {
  capabilities = ["read"]
}

path "secret/metadata/payments/*" {
  capabilities = ["list"]
}

# Live PSP signing keys are only for the settlement batch (AppRole "settlement-batch"),
# never for the online API.
path "secret/data/payments/psp/live-signing-keys" {
  capabilities = ["deny"]
}

# Tokenise card data with the transit engine; no key export, no key rotation.
path "transit/encrypt/card-tokens" {
  capabilities = ["update"]
}

path "transit/decrypt/card-tokens" {
  capabilities = ["update"]
}

path "transit/keys/card-tokens" {
  capabilities = ["read"]
}

# Short-lived Postgres credentials for payments-db.
path "database/creds/payments-rw" {
  capabilities = ["read"]
}
