"""The learning store on the single DynamoDB table: `keys` (the layout), `items` (entities to
items and back) and `store` (the `LearningStore` implementation)."""

from manabi_api.adapters.dynamodb.store import DynamoDbLearningStore

__all__ = ["DynamoDbLearningStore"]
