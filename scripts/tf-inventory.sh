#!/usr/bin/env bash
# The Ansible inventory from Terraform's outputs, after `terraform apply` in terraform/:
#   scripts/tf-inventory.sh            writes ansible/inventory/aws.json (git-ignored; ansible.cfg reads it)
# It holds the hosts (public IP, admin user, the service each runs) and every service's configuration
# (stream, table, bucket and topic names), which site.yml writes to /opt/prestacop/env/<service>.env.
set -euo pipefail
cd "$(dirname "$0")/.."
out=ansible/inventory/aws.json
terraform -chdir=terraform output -json ansible_inventory > "$out.tmp"
mv "$out.tmp" "$out"
node -e '
  const inv = require(process.argv[1]);
  const hosts = inv.all.children.prestacop.hosts;
  for (const [name, h] of Object.entries(hosts))
    console.log(`${name.padEnd(22)} ${String(h.ansible_host).padEnd(16)} ${h.prestacop_services.join(", ")}`);
' "$PWD/$out"
echo "wrote $out"
