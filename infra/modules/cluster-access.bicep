// One protected cluster (deployed in its resource group): the identity may fetch its cluster-user
// kubeconfig and read it through Resource Manager, read every Kubernetes object (write only when
// restore is enabled), and read (create, with restore) disks in its node resource group.
@description('Name of the managed cluster.')
param clusterName string

@description('The cluster\'s node resource group (where its disks live).')
param nodeResourceGroup string

@description('Principal id of the app identity.')
param principalId string

@description('Name (GUID) of the custom Kubernetes reader role; empty: the built-in AKS RBAC Reader.')
param backupReaderRoleGuid string

@description('Grant write access for restores.')
param enableRestore bool

@allowed([
  'ClusterAdmin'
  'Writer'
])
@description('Kubernetes role for restores.')
param restoreKubernetesRole string

var clusterUserRole = '4abbcc35-e782-43d8-92c5-2d3f1bd2253f' // Azure Kubernetes Service Cluster User Role
var rbacReader = '7f6c6a51-bcf8-42ba-9220-52d62157d7db' // Azure Kubernetes Service RBAC Reader
var rbacWriter = 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb' // Azure Kubernetes Service RBAC Writer
var rbacClusterAdmin = 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b' // Azure Kubernetes Service RBAC Cluster Admin

var readerRole = empty(backupReaderRoleGuid) ? rbacReader : backupReaderRoleGuid
var restoreRole = restoreKubernetesRole == 'Writer' ? rbacWriter : rbacClusterAdmin

resource cluster 'Microsoft.ContainerService/managedClusters@2024-09-01' existing = {
  name: clusterName
}

// listClusterUserCredential (the kubeconfig) and managedClusters/read (node resource group, tags).
resource clusterUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, clusterUserRole)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', clusterUserRole) // Azure Kubernetes Service Cluster User Role
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Kubernetes reads for backups: the custom reader role, or Azure Kubernetes Service RBAC Reader.
resource kubernetesReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, readerRole)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRole) // custom reader or Azure Kubernetes Service RBAC Reader
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Kubernetes writes for restores only: Azure Kubernetes Service RBAC Cluster Admin or RBAC Writer.
resource kubernetesWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (enableRestore) {
  name: guid(cluster.id, principalId, restoreRole)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', restoreRole) // Azure Kubernetes Service RBAC Cluster Admin or Azure Kubernetes Service RBAC Writer
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

module nodeDisks 'node-disk-access.bicep' = {
  name: 'node-disks-${uniqueString(cluster.id)}'
  scope: resourceGroup(nodeResourceGroup)
  params: {
    principalId: principalId
    enableRestore: enableRestore
  }
}
