# Vault in the cluster (HashiCorp's Helm chart): three servers with integrated storage (Raft),
# unsealed by a KMS key through the service account's IAM role, TLS, the agent injector off
# (External Secrets and Orion itself read Vault). vault-config/ configures it.
variable "name" {
  type        = string
  description = "Prefix of every name."
}

variable "oidc_provider_arn" {
  type        = string
  description = "The cluster's OIDC provider, for the service account's IAM role."
}

variable "chart_version" {
  type        = string
  description = "The Vault Helm chart's version."
}

data "aws_region" "current" {}

resource "aws_kms_key" "unseal" {
  #checkov:skip=CKV2_AWS_64:the default key policy, which leaves who may use the key to IAM
  description         = "${var.name} Vault auto-unseal"
  enable_key_rotation = true
}

module "unseal_role" {
  source = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  #checkov:skip=CKV_TF_1:a registry module, pinned by version (commit hashes are for git sources)
  version = "~> 5.48"

  role_name = "${var.name}-vault-unseal"
  oidc_providers = {
    cluster = {
      provider_arn               = var.oidc_provider_arn
      namespace_service_accounts = ["vault:vault"]
    }
  }
  role_policy_arns = { unseal = aws_iam_policy.unseal.arn }
}

resource "aws_iam_policy" "unseal" {
  name = "${var.name}-vault-unseal"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]
      Resource = aws_kms_key.unseal.arn
    }]
  })
}

resource "helm_release" "vault" {
  name             = "vault"
  namespace        = "vault"
  create_namespace = true
  repository       = "https://helm.releases.hashicorp.com"
  chart            = "vault"
  version          = var.chart_version
  values = [yamlencode({
    injector = { enabled = false }
    server = {
      serviceAccount = {
        annotations = { "eks.amazonaws.com/role-arn" = module.unseal_role.iam_role_arn }
      }
      ha = {
        enabled  = true
        replicas = 3
        raft = {
          enabled = true
          config  = <<-HCL
            listener "tcp" {
              address       = "[::]:8200"
              tls_cert_file = "/vault/userconfig/vault-tls/tls.crt"
              tls_key_file  = "/vault/userconfig/vault-tls/tls.key"
            }
            storage "raft" {
              path = "/vault/data"
            }
            seal "awskms" {
              region     = "${data.aws_region.current.name}"
              kms_key_id = "${aws_kms_key.unseal.key_id}"
            }
            service_registration "kubernetes" {}
          HCL
        }
      }
    }
  })]
}

output "address" {
  description = "Vault's address inside the cluster."
  value       = "https://vault.vault.svc:8200"
}
