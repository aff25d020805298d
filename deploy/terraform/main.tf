locals {
  name = "orion-${var.environment}"
}

module "network" {
  source             = "./modules/network"
  name               = local.name
  cidr               = var.vpc_cidr
  availability_zones = var.availability_zones
}

module "cluster" {
  source             = "./modules/cluster"
  name               = local.name
  kubernetes_version = var.kubernetes_version
  vpc_id             = module.network.vpc_id
  subnet_ids         = module.network.private_subnet_ids
  instance_type      = var.node_instance_type
  node_count         = var.node_count
  admin_cidrs        = var.cluster_admin_cidrs
}

module "postgresql" {
  source             = "./modules/postgresql"
  name               = local.name
  vpc_id             = module.network.vpc_id
  subnet_ids         = module.network.private_subnet_ids
  client_security_id = module.cluster.node_security_group_id
  settings           = var.postgresql
}

module "rabbitmq" {
  source             = "./modules/rabbitmq"
  name               = local.name
  vpc_id             = module.network.vpc_id
  subnet_ids         = module.network.private_subnet_ids
  client_security_id = module.cluster.node_security_group_id
  settings           = var.rabbitmq
}

module "redis" {
  source             = "./modules/redis"
  name               = local.name
  vpc_id             = module.network.vpc_id
  subnet_ids         = module.network.private_subnet_ids
  client_security_id = module.cluster.node_security_group_id
  settings           = var.redis
}

module "vault" {
  source            = "./modules/vault"
  name              = local.name
  oidc_provider_arn = module.cluster.oidc_provider_arn
  chart_version     = var.vault_chart_version
}
