# Vault's configuration for Orion, applied once Vault is up and unsealed (after the root
# module): the KV engine with the managed services' addresses and credentials, the database
# secrets engine on RDS with Orion's short-lived users, kubernetes auth for Orion's and
# External Secrets' service accounts, and their policies. Its own remote state (backend.hcl).
terraform {
  required_version = ">= 1.6"

  backend "s3" {}

  required_providers {
    vault = {
      source  = "hashicorp/vault"
      version = "~> 4.5"
    }
    postgresql = {
      source  = "cyrilgdn/postgresql"
      version = "~> 1.25"
    }
  }
}

# VAULT_ADDR and VAULT_TOKEN (an operator's, from `vault login -method=oidc`) come from the
# environment, never from a file here
provider "vault" {}

# the owner role of Orion's schemas, as RDS's master user, from inside the VPC (a bastion or
# the cluster: deploy/README.md)
provider "postgresql" {
  host     = split(":", data.terraform_remote_state.infrastructure.outputs.postgresql_address)[0]
  port     = 5432
  username = data.terraform_remote_state.infrastructure.outputs.postgresql_admin.username
  password = data.terraform_remote_state.infrastructure.outputs.postgresql_admin.password
  sslmode  = "require"
}
