// The Functions app on the Flex Consumption plan (Linux, Node.js 22), running as the user-assigned
// identity, with identity-based host storage and every app setting the code reads (the table in
// src/settings/app-settings-table.ts; test/infra checks the two agree).
@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app.')
param appName string

@description('Region of the plan and the app.')
param location string

@description('Tags of the plan and the app.')
param tags object

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Name of the host storage account.')
param hostStorageName string

@description('Blob endpoint of the host storage account (ends with /).')
param hostStorageBlobEndpoint string

@description('Container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (no key: telemetry uses Entra ID).')
param appInsightsConnectionString string

@description('Blob endpoint of the backup storage account.')
param backupBlobEndpoint string

@description('Container for recovery points, definitions and state.')
param backupContainerName string

@description('Name of the config file in the backup container.')
param configBlobName string

@description('Comma list of subscription ids Event Grid events are accepted from.')
param allowedSubscriptions string

@description('Resource group id for the snapshots of instances that name none.')
param snapshotResourceGroupId string

@description('Whether POST /api/restores is allowed.')
param enableRestore bool

@description('Event Grid topic endpoint for job notifications; empty: none.')
param notificationTopicEndpoint string

@allowed([
  'CloudEvent'
  'EventGrid'
])
@description('Input schema of the notification topic.')
param notificationTopicSchema string

@description('Kubernetes client requests per second, per cluster.')
param kubeQps int

@description('Kubernetes client burst, per cluster.')
param kubeBurst int

@description('Items per Kubernetes list page.')
param kubePageSize int

@description('Most instances the app scales out to.')
param maximumInstanceCount int

@description('Memory of each instance (MB).')
param instanceMemoryMB int

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  // azd finds the app it deploys the `api` service of azure.yaml to by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        {
          name: 'AzureWebJobsStorage__accountName'
          value: hostStorageName
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsightsConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD;ClientId=${identityClientId}'
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        {
          name: 'AKS_BACKUP_STORAGE_ACCOUNT_URL'
          value: backupBlobEndpoint
        }
        {
          name: 'AKS_BACKUP_CONTAINER'
          value: backupContainerName
        }
        {
          name: 'AKS_BACKUP_CONFIG_BLOB'
          value: configBlobName
        }
        {
          name: 'AKS_BACKUP_ALLOWED_SUBSCRIPTIONS'
          value: allowedSubscriptions
        }
        {
          name: 'AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP'
          value: snapshotResourceGroupId
        }
        {
          name: 'AKS_BACKUP_RESTORE_ENABLED'
          value: enableRestore ? 'true' : 'false'
        }
        {
          name: 'AKS_BACKUP_EVENTGRID_TOPIC_ENDPOINT'
          value: notificationTopicEndpoint
        }
        {
          name: 'AKS_BACKUP_EVENTGRID_SCHEMA'
          value: notificationTopicSchema
        }
        {
          name: 'AKS_BACKUP_KUBE_QPS'
          value: string(kubeQps)
        }
        {
          name: 'AKS_BACKUP_KUBE_BURST'
          value: string(kubeBurst)
        }
        {
          name: 'AKS_BACKUP_KUBE_PAGE_SIZE'
          value: string(kubePageSize)
        }
      ]
    }
  }
}

// No publishing passwords: azd deploys with Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
