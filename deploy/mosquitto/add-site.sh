#!/usr/bin/env bash
# Creates (or resets) the broker account of one customer site and its ACL: agents and the site
# poller of that site may publish only under patrol/v1/<customer>/<site>/ and read their config.
#   deploy/mosquitto/add-site.sh <customer> <site>      → prints the generated password
#   deploy/mosquitto/add-site.sh --service collector|healthcheck <password>
# Restart or signal the broker afterwards: docker compose kill -s SIGHUP mosquitto
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
passwd="$dir/passwd"
acl="$dir/acl"
id_re='^[A-Za-z0-9._-]{1,64}$'
touch "$passwd"
chmod 600 "$passwd"

if [ "${1:-}" = "--service" ]; then
  user="${2:?service account name}"
  password="${3:?password}"
  mosquitto_passwd -b "$passwd" "$user" "$password"
  echo "service account $user set"
  exit 0
fi

customer="${1:?usage: add-site.sh <customer> <site>}"
site="${2:?usage: add-site.sh <customer> <site>}"
[[ "$customer" =~ $id_re ]] || { echo "customer id '$customer' must be 1-64 of [A-Za-z0-9._-]" >&2; exit 2; }
[[ "$site" =~ $id_re ]] || { echo "site id '$site' must be 1-64 of [A-Za-z0-9._-]" >&2; exit 2; }
user="site-$customer-$site"
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)"
mosquitto_passwd -b "$passwd" "$user" "$password"
if ! grep -qx "user $user" "$acl"; then
  printf '\nuser %s\ntopic write patrol/v1/%s/%s/#\ntopic read patrol/v1/%s/%s/+/config\n' "$user" "$customer" "$site" "$customer" "$site" >> "$acl"
fi
echo "site account: $user"
echo "password:     $password"
