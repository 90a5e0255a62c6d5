# The service catalog: for each long-running actor, its ops port, its configuration (environment variables read
# by actors/<name>/main.ts, see runtime/aws/options.ts) and the IAM statements of exactly the calls it makes.
# No resources: the root module turns the statements into roles, the outputs into env files and the inventory.
# Adding a service is one entry in `local.catalog`.

locals {
  s = var.data_plane.streams
  t = var.data_plane.tables
  b = var.data_plane.bucket

  # Shared pieces of the Kinesis bus (runtime/bus/kinesis*.ts).
  read_stream   = ["kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"]
  lease_actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"]

  catalog = {
    "drone-simulator" = {
      ops_port = 9101
      env = {
        PRESTACOP_DRONE_STREAM = local.s.drones.name
        PRESTACOP_LEASE_TABLE  = local.t.leases.name
        PRESTACOP_BUCKET       = local.b.name
      }
      statements = [
        # PutRecords; ListShards for the per-shard rate limit and shard-wide packing.
        { Sid = "PublishDrones", Action = ["kinesis:ListShards", "kinesis:PutRecords"], Resource = [local.s.drones.arn] },
        # The camera: one small picture per alarm (actors/drone-simulator/violation-image.ts).
        { Sid = "ViolationImages", Action = ["s3:PutObject"], Resource = ["${local.b.arn}/violation-images/*"] },
      ]
      kms = { kinesis = ["kms:GenerateDataKey"], s3 = ["kms:GenerateDataKey"] }
    }

    "stream-to-storage" = {
      ops_port = 9102
      env = {
        PRESTACOP_DRONE_STREAM   = local.s.drones.name
        PRESTACOP_HISTORY_STREAM = local.s.history.name
        PRESTACOP_MESSAGES_TABLE = local.t.messages.name
        PRESTACOP_LEASE_TABLE    = local.t.leases.name
        PRESTACOP_BUCKET         = local.b.name
      }
      statements = [
        { Sid = "ReadStreams", Action = local.read_stream, Resource = [local.s.drones.arn, local.s.history.arn] },
        { Sid = "Leases", Action = local.lease_actions, Resource = [local.t.leases.arn] },
        { Sid = "UpsertMessages", Action = ["dynamodb:BatchWriteItem"], Resource = [local.t.messages.arn] },
        { Sid = "ArchiveAndDeadLetters", Action = ["s3:PutObject"], Resource = ["${local.b.arn}/archive/*", "${local.b.arn}/dead-letter/*"] },
      ]
      kms = { kinesis = ["kms:Decrypt"], s3 = ["kms:GenerateDataKey"] }
    }

    "alert-system" = {
      ops_port = 9103
      env = {
        PRESTACOP_DRONE_STREAM = local.s.drones.name
        PRESTACOP_LEASE_TABLE  = local.t.leases.name
        PRESTACOP_ALARMS_TABLE = local.t.alarms.name
        # The ARN, not the name: resolving a name needs sns:ListTopics, which only exists on "*".
        PRESTACOP_ALARM_TOPIC = var.data_plane.topics.alarms.arn
        PRESTACOP_BUCKET      = local.b.name
      }
      statements = [
        { Sid = "ReadDrones", Action = local.read_stream, Resource = [local.s.drones.arn] },
        { Sid = "Leases", Action = local.lease_actions, Resource = [local.t.leases.arn] },
        # Dedup record and alarm (dynamo-alarm-store.ts): conditional put, read, update.
        { Sid = "AlarmStore", Action = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource = [local.t.alarms.arn] },
        { Sid = "PublishAlarms", Action = ["sns:Publish"], Resource = [var.data_plane.topics.alarms.arn] },
        # Dead letters, and a note on each that may need a human (needs-human.ts), which the console counts.
        { Sid = "DeadLetters", Action = ["s3:PutObject"], Resource = ["${local.b.arn}/dead-letter/*", "${local.b.arn}/needs-human/actor=alert-system/*"] },
      ]
      kms = { kinesis = ["kms:Decrypt"], sns = ["kms:Decrypt", "kms:GenerateDataKey"], s3 = ["kms:GenerateDataKey"] }
    }

    # actors/drone-watchdog: drone.silent / drone.back on the alarm topic (options: actors/drone-watchdog/actor.ts).
    "drone-watchdog" = {
      ops_port = 9105
      env = {
        PRESTACOP_DRONE_STREAM = local.s.drones.name
        PRESTACOP_LEASE_TABLE  = local.t.leases.name
        PRESTACOP_ALARM_TOPIC  = var.data_plane.topics.alarms.arn
        PRESTACOP_BUCKET       = local.b.name
      }
      statements = [
        { Sid = "ReadDrones", Action = local.read_stream, Resource = [local.s.drones.arn] },
        { Sid = "Leases", Action = local.lease_actions, Resource = [local.t.leases.arn] },
        { Sid = "PublishDroneEvents", Action = ["sns:Publish"], Resource = [var.data_plane.topics.alarms.arn] },
        { Sid = "DeadLetters", Action = ["s3:PutObject"], Resource = ["${local.b.arn}/dead-letter/actor=drone-watchdog/*"] },
      ]
      kms = { kinesis = ["kms:Decrypt"], sns = ["kms:Decrypt", "kms:GenerateDataKey"], s3 = ["kms:GenerateDataKey"] }
    }

    # actors/operator-console: a web page on 127.0.0.1 (operators reach it by an SSH tunnel; no token on loopback).
    "operator-console" = {
      ops_port = 9104
      env = {
        PRESTACOP_CONSOLE_HOST       = "127.0.0.1"
        PRESTACOP_CONSOLE_PORT       = "8090"
        PRESTACOP_ALARMS_TABLE       = local.t.alarms.name
        PRESTACOP_ALARM_EVENTS_TABLE = local.t.alarmEvents.name
        # ARN and URL, not names: no sns:ListTopics (only on "*") and no sqs:GetQueueUrl (runtime/aws/lookup.ts).
        PRESTACOP_ALARM_TOPIC            = var.data_plane.topics.alarms.arn
        PRESTACOP_OPERATOR_CONSOLE_QUEUE = var.data_plane.queues.operatorConsole.url
        PRESTACOP_BUCKET                 = local.b.name
      }
      statements = [
        # The alarms raised in the last --history-hours, read once at start (dynamo-events.ts, a filtered Scan).
        { Sid = "LoadAlarms", Action = ["dynamodb:Scan"], Resource = [local.t.alarms.arn] },
        # Decisions and escalations (dynamo-events.ts): Scan at start, GetItem, conditional PutItem, UpdateItem
        # (publishedAt), and TransactWriteItems, which IAM authorizes per item: PutItem and ConditionCheckItem.
        { Sid = "Decisions", Action = ["dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"], Resource = [local.t.alarmEvents.arn] },
        # Its own queue on the alarm topic (sqs-feed.ts): ReceiveMessage, DeleteMessageBatch (= sqs:DeleteMessage).
        { Sid = "OwnQueue", Action = ["sqs:DeleteMessage", "sqs:ReceiveMessage"], Resource = [var.data_plane.queues.operatorConsole.arn] },
        # Escalations go back on the alarm topic (sns-escalations.ts).
        { Sid = "PublishEscalations", Action = ["sns:Publish"], Resource = [var.data_plane.topics.alarms.arn] },
        # The simulator's pictures, proxied to the page (s3-images.ts).
        { Sid = "ViolationImages", Action = ["s3:GetObject"], Resource = ["${local.b.arn}/violation-images/*"] },
        # Undecodable queue bodies (s3-dead-letters.ts), under its own prefix only.
        { Sid = "DeadLetters", Action = ["s3:PutObject"], Resource = ["${local.b.arn}/dead-letter/actor=operator-console/*"] },
        # The alert system's notes on dead letters that need a human, counted by listing their keys (s3-needs-human.ts).
        { Sid = "NeedsHumanNotes", Action = ["s3:ListBucket"], Resource = [local.b.arn], Condition = { StringLike = { "s3:prefix" = ["needs-human/*"] } } },
      ]
      kms = { sqs = ["kms:Decrypt"], sns = ["kms:Decrypt", "kms:GenerateDataKey"], s3 = ["kms:Decrypt", "kms:GenerateDataKey"] }
    }
  }

  # The KMS statement of each service: only the actions it needs, only through the services it calls.
  policies = {
    for name, svc in local.catalog : name => {
      Version = "2012-10-17"
      Statement = concat(
        [for st in svc.statements : merge({ Effect = "Allow" }, st)],
        var.kms_key_arn == null ? [] : [{
          Sid       = "DataKeyViaServices"
          Effect    = "Allow"
          Action    = sort(distinct(flatten(values(svc.kms))))
          Resource  = [var.kms_key_arn]
          Condition = { StringEquals = { "kms:ViaService" = [for svc_name in sort(keys(svc.kms)) : "${svc_name}.${var.region}.amazonaws.com"] } }
        }],
      )
    }
  }
}
