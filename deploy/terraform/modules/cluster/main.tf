# EKS: a private API endpoint (public only for the admin networks given), secrets encrypted by
# KMS, control-plane logs, one managed node group across the zones, IRSA for Vault's KMS use.
variable "name" {
  type        = string
  description = "The cluster's name."
}

variable "kubernetes_version" {
  type        = string
  description = "The control plane's version."
}

variable "vpc_id" {
  type        = string
  description = "The VPC."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets of the nodes."
}

variable "instance_type" {
  type        = string
  description = "The nodes' instance type."
}

variable "node_count" {
  type = object({
    min     = number
    desired = number
    max     = number
  })
  description = "The node group's size."
}

variable "admin_cidrs" {
  type        = list(string)
  description = "Networks allowed to the public API endpoint; empty: none (private only)."
}

module "eks" {
  source = "terraform-aws-modules/eks/aws"
  #checkov:skip=CKV_TF_1:a registry module, pinned by version (commit hashes are for git sources)
  version = "~> 20.31"

  cluster_name                         = var.name
  cluster_version                      = var.kubernetes_version
  vpc_id                               = var.vpc_id
  subnet_ids                           = var.subnet_ids
  cluster_endpoint_private_access      = true
  cluster_endpoint_public_access       = length(var.admin_cidrs) > 0
  cluster_endpoint_public_access_cidrs = var.admin_cidrs
  cluster_enabled_log_types            = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  create_kms_key                       = true
  cluster_encryption_config            = { resources = ["secrets"] }
  enable_irsa                          = true

  eks_managed_node_groups = {
    orion = {
      instance_types = [var.instance_type]
      min_size       = var.node_count.min
      desired_size   = var.node_count.desired
      max_size       = var.node_count.max
      metadata_options = {
        http_tokens                 = "required"
        http_put_response_hop_limit = 1
      }
    }
  }
}

output "name" {
  description = "The cluster's name."
  value       = module.eks.cluster_name
}

output "endpoint" {
  description = "The API endpoint."
  value       = module.eks.cluster_endpoint
}

output "certificate_authority" {
  description = "The cluster CA, base64 PEM."
  value       = module.eks.cluster_certificate_authority_data
}

output "node_security_group_id" {
  description = "The nodes' (and so the pods') security group: the data services admit it alone."
  value       = module.eks.node_security_group_id
}

output "oidc_provider_arn" {
  description = "For IAM roles of service accounts."
  value       = module.eks.oidc_provider_arn
}
