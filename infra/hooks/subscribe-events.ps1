# postdeploy: the functions now exist, so provision once more with the Event Grid subscriptions.
$ErrorActionPreference = 'Stop'
if ($env:AKS_BACKUP_SUBSCRIBE_EVENTS -eq 'true') {
  Write-Host 'aks-backup: Event Grid subscriptions already provisioned'
  exit 0
}
Write-Host 'aks-backup: subscribing the functions to Event Grid (second provision)'
azd env set AKS_BACKUP_SUBSCRIBE_EVENTS true
azd provision --no-prompt
