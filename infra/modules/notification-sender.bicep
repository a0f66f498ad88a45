// Job notifications: the identity may publish events to the given Event Grid topic, nothing more.
@description('Name of the Event Grid topic.')
param topicName string

@description('Principal id of the app identity.')
param principalId string

var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7' // EventGrid Data Sender

resource topic 'Microsoft.EventGrid/topics@2022-06-15' existing = {
  name: topicName
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, principalId, eventGridDataSender)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender) // EventGrid Data Sender
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
