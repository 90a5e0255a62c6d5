# Copy to prestacop.tfvars (git-ignored) and fill in: terraform apply -var-file=prestacop.tfvars
admin_cidr     = "203.0.113.7/32"                                     # your address: curl -s https://checkip.amazonaws.com (/24 at the broadest: admin_cidr_min_prefix)
ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... you@laptop" # cat ~/.ssh/id_ed25519.pub
bucket_name    = "prestacop-archive-123456789012"                     # S3 names are global: add your account id
alarm_email    = "oncall@example.org"                                 # confirm the subscription from the mail
# instances_per_service = { "stream-to-storage" = 2 }                   # a second storage worker
# athena = { analysis_principals = ["arn:aws:iam::123456789012:role/data-analysts"], console_listing = true } # docs/deploy.md, Analysis on Athena
