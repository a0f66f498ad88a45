// A custom role that reads every Kubernetes resource of a cluster, Secrets, RBAC objects and custom
// resources included, and writes nothing: what a complete backup needs. The built-in AKS RBAC
// Reader leaves out Secrets, Roles and RoleBindings, so a restore from its backups is incomplete.
targetScope = 'subscription'

@description('Name (a GUID) of the role definition.')
param roleGuid string

@description('Name of the azd environment, to tell deployments apart.')
param environmentName string

@description('Subscriptions the role may be assigned in (those of the protected clusters).')
param assignableSubscriptionIds array

resource backupReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    roleName: 'aks-backup Kubernetes reader (${environmentName}, ${subscription().subscriptionId})'
    description: 'Reads every Kubernetes object of an AKS cluster (Secrets included) for aks-backup; no write.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.ContainerService/managedClusters/*/read'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [for id in assignableSubscriptionIds: '/subscriptions/${id}']
  }
}

output roleDefinitionId string = backupReader.id
