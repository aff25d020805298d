# Orion's infrastructure on AWS (docs/adr/0024-terraform-on-aws.md): the network, the EKS
# cluster, PostgreSQL (RDS, Multi-AZ, backups), RabbitMQ (Amazon MQ, a three-node cluster),
# Redis (ElastiCache, replicated) and Vault (in the cluster, unsealed by KMS). vault-config/
# then configures Vault and hands the addresses and credentials to the cluster through it.
terraform {
  required_version = ">= 1.6"

  # Remote state in S3, locked, encrypted: deploy/README.md ("Terraform") says how to make the
  # bucket once and `terraform init -backend-config=backend.hcl` (backend.hcl.example).
  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}
