output "database" {
  description = "The Glue database the statistics query (Athena: catalog AwsDataCatalog)."
  value       = aws_glue_catalog_database.this.name
}

output "workgroup" {
  description = "The Athena workgroup to run the statistics in (its results location, encryption and scan limit are enforced)."
  value       = aws_athena_workgroup.this.name
}

output "results_bucket" {
  description = "The bucket of Athena's query results."
  value       = aws_s3_bucket.results.bucket
}

output "tables" {
  description = "The Glue tables over the archive (the views read them)."
  value       = sort(local.glue_tables)
}

output "named_queries" {
  description = "Named query ids: statistics by name, and the one-time setup's views by name."
  value = {
    statistics = { for name, q in aws_athena_named_query.statistic : name => q.id }
    views      = { for name, q in aws_athena_named_query.view : name => q.id }
  }
}

output "role_arn" {
  description = "The analysis role (null without analysis_principals)."
  value       = one(aws_iam_role.analysis[*].arn)
}
