# The whole AWS side, hardened (the default), against a mocked AWS provider: least-privilege roles, the hosts'
# network and disks, logs, the key, and the outputs Ansible reads.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The region's AWS managed prefix lists (real ids in us-east-1).
override_data {
  target = data.aws_ec2_managed_prefix_list.s3
  values = { id = "pl-63a5400a" }
}
override_data {
  target = data.aws_ec2_managed_prefix_list.dynamodb
  values = { id = "pl-02cd2c6b" }
}

variables {
  admin_cidr     = "203.0.113.7/32"
  ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMockMockMockMockMockMockMockMockMockMockMock test"
}

run "hardened" {
  command = apply

  # Least privilege: every role statement names its actions and resources; no "*" action, no "*" resource, no
  # service-wide wildcard ("s3:*"); the only wildcards are object-key prefixes inside the archive bucket.
  assert {
    condition = alltrue(flatten([for p in aws_iam_role_policy.data : [for st in jsondecode(p.policy).Statement : [
      st.Effect == "Allow",
      alltrue([for a in st.Action : !strcontains(a, "*")]),
      alltrue([for r in st.Resource : !strcontains(r, "*") || (startswith(r, "${module.data_plane.bucket.arn}/") && endswith(r, "/*"))]),
    ]]]))
    error_message = "A role policy allows a wildcard action or resource."
  }
  assert {
    condition = alltrue(flatten([for p in aws_iam_role_policy.logs : [for st in jsondecode(p.policy).Statement : [
      alltrue([for a in st.Action : !strcontains(a, "*")]),
      alltrue([for r in st.Resource : !strcontains(r, "*")]),
    ]]]))
    error_message = "The log policies must name their streams (instance ids), not patterns."
  }
  # Exactly the calls each service makes.
  assert {
    condition = toset(flatten([for st in jsondecode(aws_iam_role_policy.data["drone-simulator"].policy).Statement : st.Action])) == toset(
    ["kinesis:ListShards", "kinesis:PutRecords", "s3:PutObject", "kms:GenerateDataKey"])
    error_message = "drone-simulator may only publish to its stream, write violation images (and get data keys for them)."
  }
  assert {
    condition = toset(flatten([for st in jsondecode(aws_iam_role_policy.data["stream-to-storage"].policy).Statement : st.Action])) == toset([
      "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords",
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
    "sqs:DeleteMessage", "sqs:ReceiveMessage", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"])
    error_message = "stream-to-storage has actions beyond reading streams, its leases, its alarm archive queue, upserting messages and writing the archive."
  }
  assert {
    condition = (anytrue([for st in jsondecode(aws_iam_role_policy.data["stream-to-storage"].policy).Statement :
      toset(st.Action) == toset(["sqs:DeleteMessage", "sqs:ReceiveMessage"]) && st.Resource == [module.data_plane.queues.alarmArchive.arn]])
    && output.service_config["stream-to-storage"].PRESTACOP_ALARM_ARCHIVE_QUEUE == module.data_plane.queues.alarmArchive.url)
    error_message = "stream-to-storage reads and deletes on its alarm archive queue only, given by URL (no lookup to allow)."
  }
  assert {
    condition = toset(flatten([for st in jsondecode(aws_iam_role_policy.data["alert-system"].policy).Statement : st.Action])) == toset([
      "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords",
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem",
    "sns:Publish", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"])
    error_message = "alert-system has actions beyond reading drones, its leases, its alarm store, publishing and dead letters."
  }
  # The operator console: exactly its calls, each on its own resource.
  assert {
    condition = toset(flatten([for st in jsondecode(aws_iam_role_policy.data["operator-console"].policy).Statement : st.Action])) == toset([
      "dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
      "sqs:ReceiveMessage", "sqs:DeleteMessage", "sns:Publish", "s3:GetObject", "s3:PutObject", "s3:ListBucket",
    "kms:Decrypt", "kms:GenerateDataKey"])
    error_message = "operator-console has actions beyond its calls (alarm scan, decisions, its queue, escalations, images, dead letters)."
  }
  assert {
    # (jsonencode on both sides: == compares types too, and sort() returns a list where a literal is a tuple)
    condition = jsonencode({
      for st in jsondecode(aws_iam_role_policy.data["operator-console"].policy).Statement : st.Sid => { a = sort(st.Action), r = st.Resource } if st.Sid != "DataKeyViaServices"
      }) == jsonencode({
      LoadAlarms         = { a = ["dynamodb:Scan"], r = [module.data_plane.tables.alarms.arn] }
      Decisions          = { a = ["dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"], r = [module.data_plane.tables.alarmEvents.arn] }
      OwnQueue           = { a = ["sqs:DeleteMessage", "sqs:ReceiveMessage"], r = [module.data_plane.queues.operatorConsole.arn] }
      PublishEscalations = { a = ["sns:Publish"], r = [module.data_plane.topics.alarms.arn] }
      ViolationImages    = { a = ["s3:GetObject"], r = ["arn:aws:s3:::prestacop-archive/violation-images/*"] }
      DeadLetters        = { a = ["s3:PutObject"], r = ["arn:aws:s3:::prestacop-archive/dead-letter/actor=operator-console/*"] }
      NeedsHumanNotes    = { a = ["s3:ListBucket"], r = ["arn:aws:s3:::prestacop-archive"] }
    })
    error_message = "operator-console's statements: a Scan of the alarms, decisions on alarm-events, its own queue, publish on the alarm topic, images read, its own dead letters, the needs-human notes listed."
  }
  assert {
    # A declared statement's condition reaches the policy as declared (config/services.json).
    condition = jsonencode([for st in jsondecode(aws_iam_role_policy.data["operator-console"].policy).Statement : st.Condition if st.Sid == "NeedsHumanNotes"]) == jsonencode([
    { StringLike = { "s3:prefix" = ["needs-human/*"] } }])
    error_message = "operator-console lists the bucket under needs-human/ only."
  }
  assert {
    condition = [for st in jsondecode(aws_iam_role_policy.data["operator-console"].policy).Statement : st.Condition.StringEquals["kms:ViaService"] if st.Sid == "DataKeyViaServices"][0] == [
    "s3.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]
    error_message = "operator-console uses the key only via S3 (images, dead letters), SNS (escalations) and SQS (its queue)."
  }
  assert {
    condition = alltrue([for name, p in aws_iam_role_policy.data : anytrue([for st in jsondecode(p.policy).Statement :
      st.Sid == "DataKeyViaServices" && st.Resource == [aws_kms_key.main[0].arn]
    && alltrue([for v in try(st.Condition.StringEquals["kms:ViaService"], [""]) : endswith(v, ".us-east-1.amazonaws.com")])])])
    error_message = "Each service may use the key only through the AWS services it calls."
  }
  assert {
    condition = alltrue([for r in aws_iam_role.service :
    jsondecode(r.assume_role_policy).Statement[0].Principal.Service == "ec2.amazonaws.com"])
    error_message = "Service roles are assumed by EC2 only (instance profiles; no access keys)."
  }
  assert {
    condition = (length(aws_iam_instance_profile.service) == 3 && length(aws_instance.host) == 3
    && !contains(keys(aws_iam_role.service), "operator-console") && !contains(keys(aws_iam_role.service), "drone-watchdog"))
    error_message = "Three hosts and three instance profiles by default: the operator console and the drone watchdog run on the alert-system's host."
  }
  assert {
    condition = (aws_iam_role_policy.data["operator-console"].role == aws_iam_role.service["alert-system"].id
      && aws_iam_role_policy.data["drone-watchdog"].role == aws_iam_role.service["alert-system"].id
      && aws_iam_role_policy.data["alert-system"].role == aws_iam_role.service["alert-system"].id
    && aws_iam_role_policy.data["drone-simulator"].role == aws_iam_role.service["drone-simulator"].id)
    error_message = "The alert host's role carries the alert-system's, the drone watchdog's and the operator console's policies, one each."
  }
  # The drone watchdog (declared in actors/drone-watchdog/actor.ts, config/services.json): the drone stream read,
  # its lease items, publishing on the alarm topic, its own dead letters; each on its resource only.
  assert {
    condition = jsonencode({
      for st in jsondecode(aws_iam_role_policy.data["drone-watchdog"].policy).Statement : st.Sid => { a = sort(st.Action), r = st.Resource }
      }) == jsonencode({
      ReadDrones         = { a = ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"], r = [module.data_plane.streams.drones.arn] }
      Leases             = { a = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], r = [module.data_plane.tables.leases.arn] }
      PublishDroneEvents = { a = ["sns:Publish"], r = [module.data_plane.topics.alarms.arn] }
      DeadLetters        = { a = ["s3:PutObject"], r = ["arn:aws:s3:::prestacop-archive/dead-letter/actor=drone-watchdog/*"] }
      DataKeyViaServices = { a = ["kms:Decrypt", "kms:GenerateDataKey"], r = [aws_kms_key.main[0].arn] }
    })
    error_message = "drone-watchdog's statements: read the drone stream, its leases, publish on the alarm topic, its own dead letters (and the key via those services)."
  }
  assert {
    condition = (output.service_config["drone-watchdog"].PRESTACOP_ALARM_TOPIC == module.data_plane.topics.alarms.arn
      && output.service_config["drone-watchdog"].PRESTACOP_DRONE_STREAM == module.data_plane.streams.drones.name
      && output.service_config["drone-watchdog"].PRESTACOP_LEASE_TABLE == module.data_plane.tables.leases.name
    && output.service_config["drone-watchdog"].PRESTACOP_BUCKET == module.data_plane.bucket.name)
    error_message = "The watchdog's environment names its stream, lease table and bucket, and the topic by ARN (no sns:ListTopics)."
  }
  # Derived, not listed: a service whose statements read a stream is a stream reader (ansible/redeploy.yml).
  assert {
    condition = (output.ansible_inventory.all.vars.prestacop_stream_readers == sort([for svc, p in aws_iam_role_policy.data : svc
      if anytrue([for st in jsondecode(p.policy).Statement : contains(st.Action, "kinesis:GetRecords")])])
    && contains(output.ansible_inventory.all.vars.prestacop_stream_readers, "drone-watchdog"))
    error_message = "The inventory's stream readers are exactly the services allowed kinesis:GetRecords."
  }
  assert {
    condition     = length(distinct([for p in aws_iam_role_policy.data : "${p.role}/${p.name}"])) == length(aws_iam_role_policy.data)
    error_message = "Policies on one role have distinct names."
  }
  assert {
    condition = toset(jsondecode(aws_iam_role_policy.logs["alert-system"].policy).Statement[0].Resource) == toset([
      "${aws_cloudwatch_log_group.service["alert-system"].arn}:log-stream:${aws_instance.host["alert-system-1"].id}",
      "${aws_cloudwatch_log_group.service["drone-watchdog"].arn}:log-stream:${aws_instance.host["alert-system-1"].id}",
      "${aws_cloudwatch_log_group.service["operator-console"].arn}:log-stream:${aws_instance.host["alert-system-1"].id}",
    ])
    error_message = "The alert host writes its instance's stream of its three services' log groups, nothing else."
  }
  assert {
    condition     = aws_instance.host["alert-system-1"].tags.Services == "alert-system drone-watchdog operator-console" && aws_instance.host["drone-simulator-1"].tags.Services == "drone-simulator"
    error_message = "The alert host runs the alert-system, the drone watchdog and the operator console; the others one service each."
  }
  assert {
    condition     = alltrue([for name, h in aws_instance.host : h.iam_instance_profile == aws_iam_instance_profile.service[h.tags.Service].name])
    error_message = "Each host carries its own service's instance profile."
  }

  # Network: SSH from the admin network only, nothing else in.
  assert {
    condition = (aws_vpc_security_group_ingress_rule.in["ssh_admin"].cidr_ipv4 == "203.0.113.7/32"
    && aws_vpc_security_group_ingress_rule.in["ssh_admin"].from_port == 22 && aws_vpc_security_group_ingress_rule.in["ssh_admin"].to_port == 22)
    error_message = "The only ingress is SSH (22) from admin_cidr."
  }
  # Network out: HTTPS to the AWS services the roles name, and nothing to the internet (package_egress is off).
  assert {
    condition = (length(aws_vpc_security_group_egress_rule.packages) == 0 && alltrue([
      for r in concat(values(aws_vpc_security_group_egress_rule.aws_prefix_lists), [aws_vpc_security_group_egress_rule.aws_endpoints]) :
      r.ip_protocol == "tcp" && r.from_port == 443 && r.to_port == 443 && r.cidr_ipv4 == null && r.cidr_ipv6 == null
    ]))
    error_message = "Egress is HTTPS to AWS prefix lists and endpoints only: no 0.0.0.0/0 without package_egress."
  }
  assert {
    condition = (jsonencode({ for k, r in aws_vpc_security_group_egress_rule.aws_prefix_lists : k => r.prefix_list_id }) == jsonencode({ dynamodb = "pl-02cd2c6b", s3 = "pl-63a5400a" })
    && aws_vpc_security_group_egress_rule.aws_endpoints.referenced_security_group_id == aws_security_group.this["endpoints"].id)
    error_message = "S3 and DynamoDB are reached through the region's AWS managed prefix lists, the other APIs through the endpoints."
  }
  # Every AWS service a role's statements name is reachable (KMS is only ever used via those services).
  assert {
    condition = jsonencode(sort(tolist(setsubtract(toset(flatten([
      for p in concat(values(aws_iam_role_policy.data), values(aws_iam_role_policy.logs)) : [
        for st in jsondecode(p.policy).Statement : [for a in st.Action : replace(split(":", a)[0], "kinesis", "kinesis-streams")]
      ]
    ])), ["kms"])))) == jsonencode(sort(concat(keys(aws_vpc_security_group_egress_rule.aws_prefix_lists), keys(aws_vpc_endpoint.interface))))
    error_message = "The services call an AWS API the hosts cannot reach (or an endpoint nobody calls): update local.interface_endpoints."
  }
  assert {
    condition = alltrue([for k, e in aws_vpc_endpoint.interface :
      e.vpc_endpoint_type == "Interface" && e.private_dns_enabled && e.service_name == "com.amazonaws.us-east-1.${k}"
    && e.security_group_ids == toset([aws_security_group.this["endpoints"].id]) && e.subnet_ids == toset([for h in aws_instance.host : h.subnet_id])])
    error_message = "Interface endpoints: private DNS (the SDKs' usual hostnames), in the hosts' subnets only, behind their own group."
  }
  assert {
    condition = (aws_vpc_security_group_ingress_rule.in["endpoints_https"].security_group_id == aws_security_group.this["endpoints"].id
    && aws_vpc_security_group_ingress_rule.in["endpoints_https"].from_port == 443 && aws_vpc_security_group_ingress_rule.in["endpoints_https"].cidr_ipv4 == "172.31.0.0/16")
    error_message = "The endpoints take HTTPS from the VPC (private DNS sends every caller in it there)."
  }
  assert {
    condition     = length(distinct([for h in aws_instance.host : h.subnet_id])) == 3
    error_message = "The three hosts are spread over three subnets (availability zones)."
  }

  # Hosts, logs and key.
  assert {
    condition = alltrue([for h in aws_instance.host :
      h.metadata_options[0].http_tokens == "required" && h.metadata_options[0].http_put_response_hop_limit == 1
    && h.root_block_device[0].encrypted && h.root_block_device[0].kms_key_id == aws_kms_key.main[0].arn])
    error_message = "Hosts require IMDSv2 and have disks encrypted with the key."
  }
  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.service : g.kms_key_id == aws_kms_key.main[0].arn && g.retention_in_days == 30])
    error_message = "Log groups are encrypted with the key and expire."
  }
  assert {
    condition     = aws_kms_key.main[0].enable_key_rotation
    error_message = "The key rotates."
  }
  assert {
    condition     = module.data_plane.streams.drones.name == "prestacop-drones"
    error_message = "Production names come from config/resources.json unprefixed."
  }

  # Outputs that become configuration.
  assert {
    condition     = output.service_config["stream-to-storage"].PRESTACOP_TARGET == "aws" && output.service_config["stream-to-storage"].PRESTACOP_MESSAGES_TABLE == "prestacop-messages"
    error_message = "service_config must hold each service's environment for AWS."
  }
  assert {
    condition = (length(output.ansible_inventory.all.children.prestacop.hosts) == 3
      && output.ansible_inventory.all.children.prestacop.hosts["alert-system-1"].prestacop_services == ["alert-system", "drone-watchdog", "operator-console"]
    && output.ansible_inventory.all.children.prestacop.hosts["stream-to-storage-1"].prestacop_services == ["stream-to-storage"])
    error_message = "The inventory lists each host with the services it runs (the alert host: its three)."
  }
  assert {
    condition = (output.service_config["operator-console"].PRESTACOP_CONSOLE_HOST == "127.0.0.1"
      && output.service_config["operator-console"].PRESTACOP_CONSOLE_PORT == "8090"
      && output.service_config["operator-console"].PRESTACOP_ALARM_EVENTS_TABLE == "prestacop-alarm-events"
      && output.service_config["operator-console"].PRESTACOP_ALARM_TOPIC == module.data_plane.topics.alarms.arn
    && output.service_config["operator-console"].PRESTACOP_OPERATOR_CONSOLE_QUEUE == module.data_plane.queues.operatorConsole.url)
    error_message = "The console serves on loopback and gets the topic's ARN and its queue's URL (no lookups to allow)."
  }
  assert {
    condition     = length(distinct(values(output.ansible_inventory.all.vars.prestacop_ops_ports))) == length(output.ansible_inventory.all.vars.prestacop_ops_ports)
    error_message = "Ops ports are distinct (three services share a host)."
  }
}

run "two_storage_workers" {
  command = plan
  variables {
    instances_per_service = { "stream-to-storage" = 2 }
  }
  assert {
    condition     = length(aws_instance.host) == 4 && aws_instance.host["stream-to-storage-2"].tags.Service == "stream-to-storage"
    error_message = "instances_per_service adds hosts for a service."
  }
}

run "two_alert_hosts_one_console" {
  command = plan
  variables {
    instances_per_service = { "alert-system" = 2 }
  }
  assert {
    condition     = length(aws_instance.host) == 4 && aws_instance.host["alert-system-1"].tags.Services == "alert-system drone-watchdog operator-console" && aws_instance.host["alert-system-2"].tags.Services == "alert-system"
    error_message = "The console and the watchdog run once, on the alert-system's first host (two consoles would share its queue's messages)."
  }
}

# Co-located services share their host's role (instance credentials are per host); colocate = {} separates them.
run "console_on_a_host_of_its_own" {
  command = apply
  variables {
    colocate = {}
  }
  assert {
    condition     = length(aws_instance.host) == 5 && aws_instance.host["operator-console-1"].tags.Services == "operator-console" && aws_instance.host["drone-watchdog-1"].tags.Services == "drone-watchdog" && length(aws_iam_instance_profile.service) == 5
    error_message = "Without colocate, every service gets its own host and role."
  }
  assert {
    condition = (aws_instance.host["operator-console-1"].iam_instance_profile == aws_iam_instance_profile.service["operator-console"].name
      && aws_iam_instance_profile.service["operator-console"].role == aws_iam_role.service["operator-console"].name
      && aws_iam_role_policy.data["operator-console"].role == aws_iam_role.service["operator-console"].id
    && aws_instance.host["alert-system-1"].tags.Services == "alert-system")
    error_message = "The console's host carries a profile and role of its own, with the console's policy on it."
  }
  assert {
    condition = alltrue([for svc, r in aws_iam_role.service :
    [for p in aws_iam_role_policy.data : p.name if p.role == r.id] == ["data-plane-${svc}"]])
    error_message = "Each role carries exactly its own service's policy: the alert-system's no longer holds the console's."
  }
  assert {
    condition = (toset(jsondecode(aws_iam_role_policy.logs["alert-system"].policy).Statement[0].Resource) == toset([
      "${aws_cloudwatch_log_group.service["alert-system"].arn}:log-stream:${aws_instance.host["alert-system-1"].id}"])
    && length(jsondecode(aws_iam_role_policy.logs["operator-console"].policy).Statement[0].Resource) == 1)
    error_message = "Each host writes its own service's log stream only."
  }
  assert {
    condition     = length(aws_vpc_endpoint.interface["sqs"].subnet_ids) == 4
    error_message = "A fourth and fifth host over four subnets get the endpoints in each subnet."
  }
}

run "scaling_a_colocated_service_is_refused" {
  command = plan
  variables {
    instances_per_service = { "operator-console" = 2 }
  }
  expect_failures = [aws_iam_role.service]
}

run "a_service_without_hosts_is_refused" {
  command = plan
  variables {
    instances_per_service = { "stream-to-storage" = 0 }
  }
  expect_failures = [var.instances_per_service]
}

run "ssh_open_to_the_world_is_refused" {
  command = plan
  variables {
    admin_cidr = "0.0.0.0/0"
  }
  expect_failures = [var.admin_cidr]
}

run "package_window" {
  command = plan
  variables {
    package_egress = true
  }
  assert {
    condition = (jsonencode({ for k, r in aws_vpc_security_group_egress_rule.packages : k => [r.from_port, r.cidr_ipv4] })
    == jsonencode({ http = [80, "0.0.0.0/0"], https = [443, "0.0.0.0/0"] }))
    error_message = "package_egress opens HTTP and HTTPS out for apt and npm, and only then."
  }
}

# admin_cidr: no broader than admin_cidr_min_prefix (default /24), which itself cannot go below /8.
run "admin_cidr_slash_1_is_refused_even_at_the_loosest_prefix" {
  command = plan
  variables {
    admin_cidr            = "0.0.0.0/1"
    admin_cidr_min_prefix = 8
  }
  expect_failures = [var.admin_cidr]
}

run "admin_cidr_broader_than_the_prefix_is_refused" {
  command = plan
  variables {
    admin_cidr = "10.20.0.0/16"
  }
  expect_failures = [var.admin_cidr]
}

run "admin_cidr_within_a_wider_prefix" {
  command = plan
  variables {
    admin_cidr            = "10.20.0.0/16"
    admin_cidr_min_prefix = 16
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.in["ssh_admin"].cidr_ipv4 == "10.20.0.0/16"
    error_message = "admin_cidr_min_prefix = 16 takes a /16."
  }
}

run "admin_cidr_min_prefix_below_8_is_refused" {
  command = plan
  variables {
    admin_cidr            = "10.0.0.0/8"
    admin_cidr_min_prefix = 7
  }
  expect_failures = [var.admin_cidr_min_prefix]
}

run "admin_cidr_with_host_bits_is_refused" {
  command = plan
  variables {
    admin_cidr = "203.0.113.7/24"
  }
  expect_failures = [var.admin_cidr]
}

run "admin_cidr_ipv6_is_refused" {
  command = plan
  variables {
    admin_cidr = "::/0"
  }
  expect_failures = [var.admin_cidr]
}

# The analysis on Athena (tests/analytics.tftest.hcl covers the module): wired to the archive bucket and the key,
# with the analysis's generated files (analysis/athena, by default): a statistic renamed, added or removed without
# updating this list, or a file missing, fails here.
run "athena_wiring" {
  command = plan
  variables {
    athena = {
      analysis_principals  = ["arn:aws:iam::123456789012:role/analyst"]
      bytes_scanned_cutoff = 1073741824
    }
  }
  assert {
    condition = (output.athena.database == "prestacop" && output.athena.workgroup == "prestacop-analysis"
    && module.analytics.tables == sort(["alarm_events_ndjson", "alarm_events_parquet", "compaction_markers", "dead_letter_objects", "drone_messages_ndjson", "drone_messages_parquet", "nypd_tickets_ndjson", "nypd_tickets_parquet"]))
    error_message = "The root creates the Glue database and the tables of analysis/athena/glue-tables.json, and the workgroup."
  }
  assert {
    condition = (toset(keys(output.athena.named_queries.statistics)) == toset(["alarm_ack", "alarms_by", "dead_letters", "drone_codes", "drone_totals", "drones", "groups"])
    && toset(keys(output.athena.named_queries.views)) == toset(["alarms", "dead_letters", "decisions", "drone_messages", "nypd_tickets"]))
    error_message = "One named query per statistic of analysis/athena/queries (the report's seven) and per view of analysis/athena/views (the five relations)."
  }
  assert {
    condition     = output.athena.results_bucket == "${module.data_plane.bucket.name}-athena-results"
    error_message = "Athena's results go to a bucket of their own, named after the archive's."
  }
}
