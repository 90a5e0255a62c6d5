# The service hosts: one per host service (instances_per_service adds more; a co-located service runs on its
# partner's first host, see var.colocate), spread over the subnets (one per
# availability zone in the default VPC), reachable by SSH from admin_cidr only. Outbound: HTTPS (AWS APIs, npm,
# NodeSource) and HTTP (Debian's apt mirrors). The ops servers (/healthz) listen on 127.0.0.1 only.

data "aws_vpc" "selected" {
  default = var.vpc_id == null
  id      = var.vpc_id
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.selected.id]
  }
  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

data "aws_ami" "debian" {
  count = var.ami_id == null ? 1 : 0

  most_recent = true
  owners      = ["136693071363"] # Debian
  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }
  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

locals {
  subnets = length(var.subnet_ids) > 0 ? var.subnet_ids : sort(data.aws_subnets.default.ids)
  ami     = var.ami_id != null ? var.ami_id : data.aws_ami.debian[0].id
}

resource "aws_key_pair" "admin" {
  key_name   = "${var.name_prefix}prestacop-admin"
  public_key = var.ssh_public_key
}

resource "aws_security_group" "hosts" {
  name        = "${var.name_prefix}prestacop-hosts"
  description = "PrestaCop service hosts: SSH from the admin network only"
  vpc_id      = data.aws_vpc.selected.id
}

resource "aws_vpc_security_group_ingress_rule" "ssh_admin" {
  security_group_id = aws_security_group.hosts.id
  description       = "SSH from the admin network"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = var.admin_cidr
}

resource "aws_vpc_security_group_egress_rule" "out" {
  for_each = { https = 443, http = 80 }

  security_group_id = aws_security_group.hosts.id
  description       = "${upper(each.key)} out: AWS APIs, npm, NodeSource, Debian mirrors"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_instance" "host" {
  for_each = local.hosts

  ami                         = local.ami
  instance_type               = var.instance_type
  subnet_id                   = local.subnets[(index(keys(local.hosts), each.key)) % length(local.subnets)]
  vpc_security_group_ids      = [aws_security_group.hosts.id]
  iam_instance_profile        = aws_iam_instance_profile.service[each.value.service].name
  key_name                    = aws_key_pair.admin.key_name
  associate_public_ip_address = true
  monitoring                  = false

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 16
    encrypted   = true
    kms_key_id  = local.kms_key_arn
  }

  tags = { Name = "${var.name_prefix}prestacop-${each.key}", Service = each.value.service, Services = join(" ", each.value.services) }

  lifecycle {
    # A newer Debian image must not replace running hosts; roll them deliberately.
    ignore_changes = [ami]
  }
}
