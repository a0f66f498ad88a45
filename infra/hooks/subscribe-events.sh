#!/bin/sh
# postdeploy: the functions now exist, so provision once more with the Event Grid subscriptions.
set -eu
if [ "${AKS_BACKUP_SUBSCRIBE_EVENTS:-false}" = "true" ]; then
  echo "aks-backup: Event Grid subscriptions already provisioned"
  exit 0
fi
echo "aks-backup: subscribing the functions to Event Grid (second provision)"
azd env set AKS_BACKUP_SUBSCRIBE_EVENTS true
azd provision --no-prompt
