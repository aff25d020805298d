# The VPC: public subnets for the load balancers, private ones for the nodes and the data
# services, a NAT gateway per zone (a zone's loss does not cut the others' egress), flow logs.
variable "name" {
  type        = string
  description = "Prefix of every name."
}

variable "cidr" {
  type        = string
  description = "The VPC's address range."
}

variable "availability_zones" {
  type        = number
  description = "How many zones to span."
}

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:the first zones by name, on purpose; a change of them shows in the plan as new subnets
  state = "available"
}

locals {
  zones = slice(data.aws_availability_zones.available.names, 0, var.availability_zones)
}

module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
  #checkov:skip=CKV_TF_1:a registry module, pinned by version (commit hashes are for git sources)
  version = "~> 5.16"

  name                   = var.name
  cidr                   = var.cidr
  azs                    = local.zones
  private_subnets        = [for index, _ in local.zones : cidrsubnet(var.cidr, 4, index)]
  public_subnets         = [for index, _ in local.zones : cidrsubnet(var.cidr, 8, 240 + index)]
  enable_nat_gateway     = true
  one_nat_gateway_per_az = true
  enable_dns_hostnames   = true

  enable_flow_log                      = true
  create_flow_log_cloudwatch_log_group = true
  create_flow_log_cloudwatch_iam_role  = true
  flow_log_max_aggregation_interval    = 60

  manage_default_security_group  = true
  default_security_group_ingress = []
  default_security_group_egress  = []

  public_subnet_tags  = { "kubernetes.io/role/elb" = 1 }
  private_subnet_tags = { "kubernetes.io/role/internal-elb" = 1 }
}

output "vpc_id" {
  description = "The VPC."
  value       = module.vpc.vpc_id
}

output "private_subnet_ids" {
  description = "One private subnet per zone."
  value       = module.vpc.private_subnets
}
