// Volume snapshots: create, read, tag and delete incremental snapshots in the snapshot resource
// group, and nothing else there.
@description('Principal id of the app identity.')
param principalId string

var diskSnapshotContributor = '7efff54f-a5b4-42b5-a1c5-5411624893ce' // Disk Snapshot Contributor

resource snapshots 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, diskSnapshotContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', diskSnapshotContributor) // Disk Snapshot Contributor
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
