variable "infrastructure_state" {
  type = object({
    bucket = string
    key    = string
    region = string
  })
  description = "Where the root module's remote state is (its backend.hcl)."
}

variable "namespace" {
  type        = string
  description = "The Kubernetes namespace Orion runs in (deploy/k8s/overlays/prod)."
  default     = "orion"
}

variable "database_lease" {
  type = object({
    default_ttl = number
    max_ttl     = number
  })
  description = "Seconds a short-lived database user lives before renewal, and at most (then Orion takes a new one)."
  default     = { default_ttl = 3600, max_ttl = 86400 }
}

variable "vault_ca_certificate" {
  type        = string
  description = "PEM of the CA that signed Vault's TLS certificate (the vault-tls Secret's issuer): ORION_VAULT_CA_FILE in the pods."
}
