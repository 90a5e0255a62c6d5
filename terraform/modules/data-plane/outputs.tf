output "region" {
  description = "Region named in the resource description."
  value       = local.spec.region
}

output "streams" {
  description = "Kinesis streams by key (drones, history): name and ARN."
  value       = { for key, s in aws_kinesis_stream.this : key => { name = s.name, arn = s.arn } }
}

output "tables" {
  description = "DynamoDB tables by key (messages, alarms, leases): name and ARN."
  value       = { for key, t in aws_dynamodb_table.this : key => { name = t.name, arn = t.arn } }
}

output "bucket" {
  description = "The archive bucket: name and ARN."
  value       = { name = aws_s3_bucket.archive.id, arn = aws_s3_bucket.archive.arn }
}

output "topics" {
  description = "SNS topics by key (alarms): name and ARN."
  value       = { for key, t in aws_sns_topic.this : key => { name = t.name, arn = t.arn } }
}

output "queues" {
  description = "SQS queues by key (console): name, URL and ARN."
  value       = { for key, q in aws_sqs_queue.this : key => { name = q.name, url = q.url, arn = q.arn } }
}
