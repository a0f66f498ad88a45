// A cluster's node resource group: read the disks behind its volumes (to snapshot them); with
// restore, create disks from snapshots there.
@description('Principal id of the app identity.')
param principalId string

@description('Grant disk creation for restores.')
param enableRestore bool

var diskBackupReader = '3e5e47e6-65f7-47ef-90b5-e5dd4d455f24' // Disk Backup Reader
var diskRestoreOperator = 'b50d9833-a0cb-478e-945f-707fcc997c13' // Disk Restore Operator

resource readDisks 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, diskBackupReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', diskBackupReader) // Disk Backup Reader
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource createDisks 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (enableRestore) {
  name: guid(resourceGroup().id, principalId, diskRestoreOperator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', diskRestoreOperator) // Disk Restore Operator
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
