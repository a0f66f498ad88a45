// aks-backup on Azure: one `azd up` provisions everything the Functions app needs and grants its
// user-assigned managed identity exactly the access backups (and, when enabled, restores) need.
// No keys: host storage, backup storage and telemetry are reached with the identity.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Name of the azd environment; part of every resource name.')
param environmentName string

@minLength(1)
@description('Region of the app, its storage and its monitoring.')
param location string

@description('Object id of the user running azd (AZURE_PRINCIPAL_ID): may upload the config file to the backup container. Empty: nobody.')
param principalId string = ''

@description('Comma-separated resource ids of the AKS clusters to protect (/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>).')
param protectedClusterIds string = ''

@description('Resource group (in this subscription) for the volume snapshots. Empty: rg-<environment>-snapshots.')
param snapshotResourceGroupName string = ''

@description('Allow restores: the identity gets write access to the protected clusters and may create disks in their node resource groups. Sets AKS_BACKUP_RESTORE_ENABLED.')
param enableRestore bool = false

@allowed([
  'ClusterAdmin'
  'Writer'
])
@description('Kubernetes role for restores (enableRestore only). ClusterAdmin restores everything (CRDs, namespaces, RBAC); Writer cannot write RBAC objects or cluster-scoped resources.')
param restoreKubernetesRole string = 'ClusterAdmin'

@description('Back up Secrets and RBAC objects: the identity may read every Kubernetes resource (a custom role). False: the built-in AKS RBAC Reader role, whose backups lack Secrets, Roles and RoleBindings.')
param backupSecrets bool = true

@description('Subscribe the functions to Event Grid (pre-upgrade backups, auto-protection). Set by the postdeploy hook once the functions exist.')
param subscribeEvents bool = false

@description('Auto-protection: react to managed clusters written with the aks-backup-policy tag anywhere in this subscription.')
param enableAutoProtection bool = true

@description('Resource id of an Event Grid topic that receives job notifications (optional). The identity gets EventGrid Data Sender on it.')
param notificationTopicId string = ''

@description('Endpoint of that topic (https://<topic>.<region>-1.eventgrid.azure.net/api/events).')
param notificationTopicEndpoint string = ''

@allowed([
  'CloudEvent'
  'EventGrid'
])
@description('Input schema of that topic.')
param notificationTopicSchema string = 'CloudEvent'

@description('Container for recovery points, definitions and state.')
param backupContainerName string = 'aks-backups'

@description('Name of the config file (YAML) in the backup container.')
param configBlobName string = 'aks-backup.yaml'

@allowed([
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_LRS'
])
@description('Redundancy of the backup storage account. GRS/GZRS keep a copy in the paired region.')
param backupStorageSku string = 'Standard_ZRS'

@minValue(0)
@maxValue(146000)
@description('Days every blob version stays immutable (write once, read many). 0: no immutability policy.')
param immutabilityDays int = 0

@minValue(1)
@description('Days after its last change a blob moves to the Cool tier.')
param coolAfterDays int = 30

@minValue(1)
@maxValue(365)
@description('Days deleted blobs, containers and previous versions are kept (soft delete).')
param softDeleteDays int = 14

@minValue(1)
@maxValue(1000)
@description('Flex Consumption: most instances the app scales out to.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption: memory of each instance (MB).')
param instanceMemoryMB int = 2048

@description('Kubernetes client requests per second, per cluster.')
param kubeQps int = 50

@description('Kubernetes client burst, per cluster.')
param kubeBurst int = 100

@description('Items per Kubernetes list page.')
param kubePageSize int = 500

var tags = { 'azd-env-name': environmentName }
var token = toLower(uniqueString(subscription().id, environmentName, location))
var clusterIds = filter(map(split(protectedClusterIds, ','), id => trim(id)), id => !empty(id))
// The subscriptions events are accepted from: this one and every protected cluster's.
var allowedSubscriptions = union([subscription().subscriptionId], map(clusterIds, id => split(id, '/')[2]))
// The custom role's name is a GUID known before deployment, so clusters in any subscription of its
// assignable scopes refer to it by that name.
var backupReaderRoleGuid = guid(subscription().id, environmentName, 'aks-backup-reader')
// Split only a real id: a skipped module's scope is still evaluated.
var notificationTopicParts = split(
  empty(notificationTopicId)
    ? '/subscriptions/${subscription().subscriptionId}/resourceGroups/unused/providers/Microsoft.EventGrid/topics/unused'
    : notificationTopicId,
  '/'
)
var snapshotGroupName = empty(snapshotResourceGroupName) ? 'rg-${environmentName}-snapshots' : snapshotResourceGroupName

resource appGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

resource snapshotGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: snapshotGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: appGroup
  params: {
    name: 'id-aksbackup-${token}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: appGroup
  params: {
    workspaceName: 'log-aksbackup-${token}'
    appInsightsName: 'appi-aksbackup-${token}'
    location: location
    tags: tags
  }
}

module hostStorage 'modules/host-storage.bicep' = {
  name: 'host-storage'
  scope: appGroup
  params: {
    name: 'stfunc${token}'
    location: location
    tags: tags
  }
}

module backupStorage 'modules/backup-storage.bicep' = {
  name: 'backup-storage'
  scope: appGroup
  params: {
    name: 'stbackup${token}'
    location: location
    tags: tags
    containerName: backupContainerName
    skuName: backupStorageSku
    immutabilityDays: immutabilityDays
    coolAfterDays: coolAfterDays
    softDeleteDays: softDeleteDays
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: appGroup
  params: {
    principalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    hostStorageName: hostStorage.outputs.name
    backupStorageName: backupStorage.outputs.name
    backupContainerName: backupContainerName
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module snapshotAccess 'modules/snapshot-access.bicep' = {
  name: 'snapshot-access'
  scope: snapshotGroup
  params: {
    principalId: identity.outputs.principalId
  }
}

module backupReaderRole 'modules/backup-reader-role.bicep' = if (backupSecrets) {
  name: 'backup-reader-role'
  params: {
    roleGuid: backupReaderRoleGuid
    environmentName: environmentName
    assignableSubscriptionIds: allowedSubscriptions
  }
}

resource protectedCluster 'Microsoft.ContainerService/managedClusters@2024-09-01' existing = [
  for id in clusterIds: {
    name: last(split(id, '/'))
    scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  }
]

module clusterAccess 'modules/cluster-access.bicep' = [
  for (id, i) in clusterIds: {
    name: 'cluster-access-${i}-${token}'
    scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
    params: {
      clusterName: last(split(id, '/'))
      nodeResourceGroup: protectedCluster[i].properties.nodeResourceGroup
      principalId: identity.outputs.principalId
      backupReaderRoleGuid: backupSecrets ? backupReaderRoleGuid : ''
      enableRestore: enableRestore
      restoreKubernetesRole: restoreKubernetesRole
    }
    dependsOn: [
      backupReaderRole
    ]
  }
]

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: appGroup
  params: {
    planName: 'plan-aksbackup-${token}'
    appName: 'func-aksbackup-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageName: hostStorage.outputs.name
    hostStorageBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainerName: hostStorage.outputs.deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.connectionString
    backupBlobEndpoint: backupStorage.outputs.blobEndpointOrigin
    backupContainerName: backupContainerName
    configBlobName: configBlobName
    allowedSubscriptions: join(allowedSubscriptions, ',')
    snapshotResourceGroupId: snapshotGroup.id
    enableRestore: enableRestore
    notificationTopicEndpoint: notificationTopicEndpoint
    notificationTopicSchema: notificationTopicSchema
    kubeQps: kubeQps
    kubeBurst: kubeBurst
    kubePageSize: kubePageSize
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
  // The host must reach its storage and telemetry as soon as it starts.
  dependsOn: [
    roles
  ]
}

module notificationSender 'modules/notification-sender.bicep' = if (!empty(notificationTopicId)) {
  name: 'notification-sender'
  scope: resourceGroup(notificationTopicParts[2], notificationTopicParts[4])
  params: {
    topicName: last(notificationTopicParts)
    principalId: identity.outputs.principalId
  }
}

module clusterEvents 'modules/cluster-events.bicep' = [
  for (id, i) in clusterIds: {
    name: 'cluster-events-${i}-${token}'
    scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
    params: {
      clusterName: last(split(id, '/'))
      systemTopicName: 'aks-backup-${last(split(id, '/'))}'
      functionAppId: functionApp.outputs.id
      subscribe: subscribeEvents
    }
  }
]

module resourceWriteEvents 'modules/resource-write-events.bicep' = if (enableAutoProtection) {
  name: 'resource-write-events'
  scope: appGroup
  params: {
    systemTopicName: 'aks-backup-resource-writes-${token}'
    functionAppId: functionApp.outputs.id
    subscribe: subscribeEvents
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = appGroup.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AKS_BACKUP_STORAGE_ACCOUNT_URL string = backupStorage.outputs.blobEndpointOrigin
output AKS_BACKUP_STORAGE_ACCOUNT_NAME string = backupStorage.outputs.name
output AKS_BACKUP_CONTAINER string = backupContainerName
output AKS_BACKUP_CONFIG_BLOB string = configBlobName
output AKS_BACKUP_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AKS_BACKUP_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP_ID string = snapshotGroup.id
